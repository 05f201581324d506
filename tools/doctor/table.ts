import type { CheckResult, CheckStatus } from './check.js';

const LABEL: Record<CheckStatus, string> = { ok: 'ok', warn: 'WARN', fail: 'FAIL', skip: '-' };

/**
 * The doctor's table: one row per piece (what, result, what was found), and under each row that is
 * not ok, what to do. Multi-line details are indented under their row. Plain text: it goes to
 * journald, a terminal or a bug report alike.
 */
export function renderDoctorTable(rows: readonly CheckResult[]): string {
  const w = Math.max(...rows.map((r) => r.piece.length), 'CHECK'.length);
  const pad = (s: string, n: number): string => s + ' '.repeat(Math.max(0, n - s.length));
  const lines = [`${pad('CHECK', w)}  RESULT  DETAIL`];
  for (const r of rows) {
    const [first, ...rest] = r.detail.split('\n');
    lines.push(`${pad(r.piece, w)}  ${pad(LABEL[r.status], 6)}  ${first ?? ''}`);
    for (const more of rest) lines.push(`${' '.repeat(w + 10)}${more}`);
    if (r.fix && r.status !== 'ok') lines.push(`${' '.repeat(w + 10)}what to do: ${r.fix}${r.code ? ` (${r.code})` : ''}`);
  }
  const failed = rows.filter((r) => r.status === 'fail').length;
  const warned = rows.filter((r) => r.status === 'warn').length;
  lines.push('', failed === 0 ? `All configured pieces work${warned ? ` (${warned} warning${warned > 1 ? 's' : ''})` : ''}.` : `${failed} piece${failed > 1 ? 's' : ''} failed: fix them from the top; the device will not start until they work.`);
  return `${lines.join('\n')}\n`;
}
