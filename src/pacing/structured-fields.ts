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
  const value = parseBareItem(cursor);
  const params = value && parseParams(cursor);
  return params && cursor.pos === text.length ? { value, params } : null;
}

/** A dictionary member: `key=item`, or a bare `key` (true) with parameters. */
export function parseDictMember(text: string): DictMember | null {
  KEY.lastIndex = 0;
  const key = KEY.exec(text)?.[0];
  if (key === undefined) return null;
  const cursor = { text, pos: key.length };
  const explicit = text[key.length] === '=';
  if (explicit) cursor.pos++;
  const value = explicit ? parseBareItem(cursor) : TRUE;
  const params = value && parseParams(cursor);
  return params && cursor.pos === text.length ? { key, item: { value, params }, explicit } : null;
}

interface Cursor {
  text: string;
  pos: number;
}

const TRUE: BareItem = { type: 'boolean', value: true };

// Sticky (`y`): each matches at `lastIndex` only, so the text is never sliced.
const KEY = /[a-z*][a-z\d_.*-]*/y;
/** `;`, spaces, a key, and `=` when a value follows. */
const PARAM = /; *([a-z*][a-z\d_.*-]*)(=?)/y;
/**
 * RFC 9651 §4.2.3, one alternative per type, in the order a match must be tried: decimal
 * (<= 12 digits, a dot, 1-3 digits) before integer (<= 15 digits), then string (printable ASCII,
 * `\"` and `\\` escaped), token, byte sequence, boolean and date. Anything longer is left
 * behind, where the member's end or a `;` must be: a member with 16 digits does not parse.
 */
const BARE_ITEM =
  /(-?\d{1,12}\.\d{1,3})|(-?\d{1,15})|"((?:[ !#-[\]-~]|\\["\\])*)"|([A-Za-z*][\w!#$%&'*+.^`|~:/-]*)|:([A-Za-z\d+/=]*):|\?([01])|@(-?\d{1,15})/y;

/** `;key[=value]` repeated; a later duplicate key overrides an earlier one. */
function parseParams(c: Cursor): Map<string, BareItem> | null {
  const params = new Map<string, BareItem>();
  while (c.text[c.pos] === ';') {
    PARAM.lastIndex = c.pos;
    const match = PARAM.exec(c.text);
    if (match === null) return null;
    c.pos = PARAM.lastIndex;
    const value = match[2] ? parseBareItem(c) : TRUE;
    if (value === null) return null;
    params.set(match[1] as string, value);
  }
  return params;
}

function parseBareItem(c: Cursor): BareItem | null {
  BARE_ITEM.lastIndex = c.pos;
  const match = BARE_ITEM.exec(c.text);
  if (match === null) return null; // display strings (%"…"), inner lists and anything else
  c.pos = BARE_ITEM.lastIndex;
  const [, decimal, integer, string, token, bytes, boolean, date] = match;
  // `+ 0` turns -0 into 0.
  if (decimal) return { type: 'decimal', value: Number(decimal) + 0 };
  if (integer) return { type: 'integer', value: Number(integer) + 0 };
  if (string !== undefined) return { type: 'string', value: string.replace(/\\(.)/g, '$1') };
  if (token) return { type: 'token', value: token };
  if (bytes !== undefined) return { type: 'bytes', value: bytes };
  if (boolean) return { type: 'boolean', value: boolean === '1' };
  return { type: 'date', value: Number(date) + 0 };
}
