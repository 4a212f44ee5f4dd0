/**
 * Structured Fields (RFC 9651): the parts the rate-limit headers use. Lists of Items with
 * Parameters, Dictionary members, and every Bare Item type but Display Strings; Inner Lists are
 * not read. A member that does not parse is dropped and counted; the field's other members still
 * count (RFC 9651 would drop the whole field). Pure; never throws.
 */

export type BareItem =
  | { type: 'integer' | 'decimal' | 'date'; value: number }
  | { type: 'string' | 'token' | 'bytes'; value: string }
  | { type: 'boolean'; value: boolean };

export interface Item {
  value: BareItem;
  params: Map<string, BareItem>;
}

export interface DictMember {
  key: string;
  item: Item;
  /** `key=value`, not a bare `key` (which means true). */
  explicit: boolean;
}

export function nameOf(item: BareItem | undefined): string | null {
  return item?.type === 'string' || item?.type === 'token' ? item.value : null;
}

export function numberOf(item: BareItem | undefined): number | undefined {
  return item?.type === 'integer' || item?.type === 'decimal' ? item.value : undefined;
}

export function integerOf(item: BareItem | undefined): number | undefined {
  return item?.type === 'integer' ? item.value : undefined;
}

export function trimOws(text: string): string {
  return text.replace(/^[ \t]+|[ \t]+$/g, '');
}

/** The list's items; members that do not parse add to `count.malformed`. */
export function parseList(field: string | null, count: { malformed: number }): Item[] {
  if (field === null) return [];
  const items: Item[] = [];
  for (const member of splitMembers(field)) {
    const item = parseMember(member);
    if (item === null) count.malformed++;
    else items.push(item);
  }
  return items;
}

/** Splits a field at the commas outside strings; each member trimmed of SP and HTAB. */
export function splitMembers(field: string): string[] {
  const members: string[] = [];
  let start = 0;
  let inString = false;
  for (let i = 0; i < field.length; i++) {
    const ch = field[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === ',') {
      members.push(trimOws(field.slice(start, i)));
      start = i + 1;
    }
  }
  members.push(trimOws(field.slice(start)));
  return members;
}

/** A list member: one item with its parameters and nothing after (inner lists are not read). */
export function parseMember(text: string): Item | null {
  const cursor = { text, pos: 0 };
  const item = parseItem(cursor);
  return item !== null && cursor.pos === text.length ? item : null;
}

export function parseDictMember(text: string): DictMember | null {
  const cursor = { text, pos: 0 };
  const key = parseKey(cursor);
  if (key === null) return null;
  let item: Item | null;
  const explicit = text[cursor.pos] === '=';
  if (explicit) {
    cursor.pos++;
    item = parseItem(cursor);
  } else {
    const params = parseParams(cursor);
    item = params && { value: { type: 'boolean', value: true }, params };
  }
  return item !== null && cursor.pos === text.length ? { key, item, explicit } : null;
}

interface Cursor {
  text: string;
  pos: number;
}

function parseItem(c: Cursor): Item | null {
  const value = parseBareItem(c);
  const params = value && parseParams(c);
  return value && params && { value, params };
}

/** `;key[=value]` repeated; a later duplicate key overrides an earlier one. */
function parseParams(c: Cursor): Map<string, BareItem> | null {
  const params = new Map<string, BareItem>();
  while (c.text[c.pos] === ';') {
    c.pos++;
    while (c.text[c.pos] === ' ') c.pos++;
    const key = parseKey(c);
    if (key === null) return null;
    let value: BareItem | null = { type: 'boolean', value: true };
    if (c.text[c.pos] === '=') {
      c.pos++;
      value = parseBareItem(c);
      if (value === null) return null;
    }
    params.set(key, value);
  }
  return params;
}

function parseKey(c: Cursor): string | null {
  const match = /^[a-z*][a-z0-9_\-.*]*/.exec(c.text.slice(c.pos));
  if (!match) return null;
  c.pos += match[0].length;
  return match[0];
}

function parseBareItem(c: Cursor): BareItem | null {
  const ch = c.text[c.pos] ?? '';
  if (ch === '-' || (ch >= '0' && ch <= '9')) return parseNumber(c);
  if (ch === '"') return parseString(c);
  if (ch === '*' || /[A-Za-z]/.test(ch)) return parseToken(c);
  if (ch === ':') return parseBytes(c);
  if (ch === '?') return parseBoolean(c);
  if (ch === '@') {
    c.pos++;
    const n = parseNumber(c);
    return n?.type === 'integer' ? { type: 'date', value: n.value } : null;
  }
  return null; // display strings (%"…") and anything else
}

/** RFC 9651 §4.2.4: at most 15 integer digits; a decimal has <= 12 before and 1-3 after the dot. */
function parseNumber(c: Cursor): BareItem | null {
  const match = /^-?(\d+)(?:\.(\d*))?/.exec(c.text.slice(c.pos));
  if (!match) return null;
  const [text, whole = '', fraction] = match;
  c.pos += text.length;
  if (fraction === undefined) {
    // `+ 0` turns -0 into 0.
    return whole.length <= 15 ? { type: 'integer', value: Number(text) + 0 } : null;
  }
  if (whole.length > 12 || fraction.length < 1 || fraction.length > 3) return null;
  return { type: 'decimal', value: Number(text) + 0 };
}

function parseString(c: Cursor): BareItem | null {
  let value = '';
  for (let i = c.pos + 1; i < c.text.length; i++) {
    let ch = c.text[i] ?? '';
    if (ch === '"') {
      c.pos = i + 1;
      return { type: 'string', value };
    }
    if (ch === '\\') {
      ch = c.text[++i] ?? '';
      if (ch !== '"' && ch !== '\\') return null;
    } else if (ch < ' ' || ch > '~') return null;
    value += ch;
  }
  return null; // unterminated
}

function parseToken(c: Cursor): BareItem | null {
  const match = /^[A-Za-z*][!#$%&'*+\-.^_`|~0-9A-Za-z:/]*/.exec(c.text.slice(c.pos));
  if (!match) return null;
  c.pos += match[0].length;
  return { type: 'token', value: match[0] };
}

function parseBytes(c: Cursor): BareItem | null {
  const match = /^:([A-Za-z0-9+/=]*):/.exec(c.text.slice(c.pos));
  if (!match) return null;
  c.pos += match[0].length;
  return { type: 'bytes', value: match[1] ?? '' };
}

function parseBoolean(c: Cursor): BareItem | null {
  const ch = c.text[c.pos + 1];
  if (ch !== '0' && ch !== '1') return null;
  c.pos += 2;
  return { type: 'boolean', value: ch === '1' };
}
