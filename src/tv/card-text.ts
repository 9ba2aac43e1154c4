// The words of a TV card as pango markup: escaped, and wrapped to the
// width a card leaves them (the textoverlays of gst-pipelines/idle.pipeline
// draw them; src/gst/worker/card-images.ts draws the pictures).

/** Escapes text for pango markup (textoverlay parses its `text` as markup). */
export function pangoEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** Breaks `s` into lines of at most `max` characters at spaces (Chinese: anywhere). */
export function wrap(s: string, max: number): string {
  const out: string[] = [];
  let line = '';
  for (const word of s.split(/(\s+)/)) {
    if (/^\s+$/.test(word)) {
      if (line) line += ' ';
      continue;
    }
    let w = word;
    while ([...line + w].length > max) {
      if (line.trim()) {
        out.push(line.trimEnd());
        line = '';
        continue;
      }
      const chars = [...w];
      out.push(chars.slice(0, max).join(''));
      w = chars.slice(max).join('');
    }
    line += w;
  }
  if (line.trim()) out.push(line.trimEnd());
  return out.join('\n');
}

