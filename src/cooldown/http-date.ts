const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const M = MONTHS.join('|');
const D = 'Mon|Tue|Wed|Thu|Fri|Sat|Sun';
const DL = '(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day';
const T = '(\\d{2}):(\\d{2}):(\\d{2})';
// The three HTTP-date forms of RFC 9110 §5.6.7; Date.parse is far too lenient ("5" is a date).
const IMF_FIXDATE = new RegExp(`^(?:${D}), (\\d{2}) (${M}) (\\d{4}) ${T} GMT$`);
const RFC_850 = new RegExp(`^(?:${DL}), (\\d{2})-(${M})-(\\d{2}) ${T} GMT$`);
const ASCTIME = new RegExp(`^(?:${D}) (${M}) ([ \\d]\\d) ${T} (\\d{4})$`);

function toEpoch(
  year: number,
  month: string,
  day: number,
  hh: number,
  mm: number,
  ss: number,
): number | null {
  const monthIndex = MONTHS.indexOf(month);
  if (hh > 23 || mm > 59 || ss > 60 || day < 1 || day > 31) return null;
  const ms = Date.UTC(year, monthIndex, day, hh, mm, Math.min(ss, 59));
  // Reject 31 Feb and friends instead of letting Date roll them over.
  return new Date(ms).getUTCDate() === day ? ms : null;
}

/** Parses an HTTP-date (IMF-fixdate, RFC 850 or asctime) to epoch ms, or null. */
export function parseHttpDate(value: string, nowMs: number = Date.now()): number | null {
  let m = IMF_FIXDATE.exec(value);
  if (m) {
    const [, day = '', month = '', year = '', hh = '', mm = '', ss = ''] = m;
    return toEpoch(+year, month, +day, +hh, +mm, +ss);
  }
  m = ASCTIME.exec(value);
  if (m) {
    const [, month = '', day = '', hh = '', mm = '', ss = '', year = ''] = m;
    return toEpoch(+year, month, +day.trim(), +hh, +mm, +ss);
  }
  m = RFC_850.exec(value);
  if (m) {
    const [, day = '', month = '', yy = '', hh = '', mm = '', ss = ''] = m;
    // RFC 9110: a two-digit year is the nearest one no more than 50 years ahead.
    const thisYear = new Date(nowMs).getUTCFullYear();
    let year = Math.floor(thisYear / 100) * 100 + +yy;
    if (year > thisYear + 50) year -= 100;
    else if (year <= thisYear - 50) year += 100;
    return toEpoch(year, month, +day, +hh, +mm, +ss);
  }
  return null;
}
