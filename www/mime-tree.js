// A small read-only MIME structure parser for the preview: the tree of content types of an RFC 5322
// message (multipart bodies split at their boundary). It never decodes or renders content.

function splitHead(text) {
  const m = /\r?\n\r?\n/.exec(text);
  return m ? [text.slice(0, m.index), text.slice(m.index + m[0].length)] : [text, ''];
}

/** Unfolded header fields: [{name, value}]. */
export function headerFields(head) {
  const out = [];
  for (const line of head.split(/\r?\n/)) {
    if (/^[ \t]/.test(line) && out.length) out[out.length - 1].value += ` ${line.trim()}`;
    else {
      const i = line.indexOf(':');
      if (i > 0) out.push({ name: line.slice(0, i).trim(), value: line.slice(i + 1).trim() });
    }
  }
  return out;
}

function param(value, name) {
  const m = new RegExp(`;\\s*${name}\\s*=\\s*(?:"([^"]*)"|([^;\\s]+))`, 'i').exec(value);
  return m ? (m[1] ?? m[2]) : null;
}

/** {type, params: {smime-type, name, protocol}, children: [...]} for a message's text. */
export function mimeTree(text, depth = 0) {
  const [head, body] = splitHead(text);
  const fields = headerFields(head);
  const ct = fields.find((f) => f.name.toLowerCase() === 'content-type')?.value ?? 'text/plain';
  const type = ct.split(';')[0].trim().toLowerCase();
  const node = { type, details: [], children: [] };
  for (const p of ['smime-type', 'protocol', 'micalg', 'name', 'hp']) {
    const v = param(ct, p);
    if (v) node.details.push(`${p}=${v}`);
  }
  const boundary = type.startsWith('multipart/') ? param(ct, 'boundary') : null;
  if (boundary && depth < 20) {
    const parts = body.split(new RegExp(`\\r?\\n?--${boundary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?:--)?[ \\t]*\\r?\\n?`));
    for (const part of parts.slice(1, -1)) node.children.push(mimeTree(part, depth + 1));
  } else if (type === 'message/rfc822' && depth < 20) {
    node.children.push(mimeTree(body, depth + 1));
  }
  return node;
}
