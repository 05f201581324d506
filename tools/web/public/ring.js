// Draws a light ring as SVG: LED k of an L-LED ring sits at azimuth 360*k/L, counter-clockwise seen
// from above, LED 0 at the top (where microphone 0 points). A bar (Trio) is drawn as a row.
const SVG = 'http://www.w3.org/2000/svg';

export function createRing(container, { ledCount, layout = 'ring', size = 220, label = 'Light ring' }) {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', layout === 'bar' ? `0 0 ${ledCount * 20} 20` : '-110 -110 220 220');
  svg.setAttribute('width', String(size));
  svg.setAttribute('height', String(layout === 'bar' ? size / ledCount : size));
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', label);
  svg.classList.add('ring');
  if (layout !== 'bar') {
    const body = document.createElementNS(SVG, 'circle');
    body.setAttribute('r', '104');
    body.setAttribute('class', 'ring-body');
    svg.append(body);
  }
  const leds = [];
  for (let k = 0; k < ledCount; k++) {
    const c = document.createElementNS(SVG, 'circle');
    if (layout === 'bar') {
      c.setAttribute('cx', String(10 + 20 * k));
      c.setAttribute('cy', '10');
      c.setAttribute('r', '8');
    } else {
      const a = (2 * Math.PI * k) / ledCount;
      c.setAttribute('cx', (-Math.sin(a) * 85).toFixed(2));
      c.setAttribute('cy', (-Math.cos(a) * 85).toFixed(2));
      c.setAttribute('r', String(Math.min(14, 300 / ledCount)));
    }
    c.setAttribute('fill', '#000000');
    c.dataset.led = String(k);
    c.classList.add('led');
    svg.append(c);
    leds.push(c);
  }
  container.replaceChildren(svg);
  return {
    svg,
    set(colors) {
      for (let k = 0; k < leds.length; k++) {
        const color = colors[k] ?? '#000000';
        if (leds[k].getAttribute('fill') !== color) leds[k].setAttribute('fill', color);
      }
    },
    label(text) {
      svg.setAttribute('aria-label', text);
    },
  };
}
