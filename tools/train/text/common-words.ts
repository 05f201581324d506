/**
 * Short, frequent English words: the first or last word of a two-word near miss ("a Lexus" for
 * alexa, "compute her" for computer) must be one a person says, not a dictionary oddity.
 */
export const COMMON_WORDS: readonly string[] = [
  'a', 'an', 'the', 'and', 'or', 'but', 'so', 'if', 'as', 'at', 'by', 'for', 'from', 'in', 'into', 'of', 'off', 'on', 'out', 'to', 'up', 'with',
  'i', 'me', 'my', 'you', 'your', 'he', 'him', 'his', 'she', 'her', 'it', 'its', 'we', 'us', 'our', 'they', 'them', 'their', 'this', 'that',
  'is', 'am', 'are', 'was', 'be', 'been', 'do', 'did', 'does', 'go', 'got', 'get', 'can', 'could', 'come', 'came', 'will', 'would', 'should',
  'may', 'might', 'must', 'have', 'has', 'had', 'say', 'said', 'see', 'saw', 'know', 'no', 'not', 'yes', 'oh', 'uh', 'ah', 'hey', 'hi', 'well',
  'all', 'any', 'some', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'now', 'then', 'there', 'here', 'where',
  'what', 'when', 'who', 'why', 'how', 'new', 'old', 'good', 'big', 'more', 'most', 'less', 'much', 'many', 'just', 'like', 'make', 'made',
  'take', 'give', 'let', 'put', 'set', 'run', 'call', 'ask', 'tell', 'try', 'use', 'need', 'want', 'look', 'back', 'day', 'time', 'way',
  'man', 'men', 'kid', 'car', 'key', 'tea', 'sea', 'bee', 'pea', 'toe', 'owe', 'eye', 'ear', 'air', 'art', 'arm', 'ask', 'add', 'ache', 'eck',
];
