/**
 * JUnit XML for `trustbox test`, the shape GitLab, Jenkins and GitHub test reporters read:
 * `<testsuites>` / one `<testsuite>` per family / `<testcase>` with `<failure>` (a check did
 * not hold) or `<error>` (the case could not run: a refused open, a lost connection). No XML
 * library is installed in the project, so the few elements are written here with one escape
 * function for text and attributes.
 */

/** The outcome of one case. */
export interface CaseOutcome {
  id: string;
  name: string;
  family: string;
  ok: boolean;
  ms: number;
  /** `failure`: a check did not hold; `error`: anything else thrown. */
  kind?: 'failure' | 'error';
  message?: string;
  /** The error's type (CaseFailure, TeecError, ...). */
  type?: string;
  detail?: string;
}

/**
 * Text made safe for XML 1.0 content and double- or single-quoted attributes: the five
 * markup characters as entities, CR/LF/TAB as character references (so attribute values keep
 * them), and characters XML 1.0 cannot hold (other C0 controls, lone surrogates, U+FFFE/FFFF)
 * replaced by U+FFFD.
 */
export function xmlEscape(text: string): string {
  let out = '';
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    switch (ch) {
      case '&': out += '&amp;'; break;
      case '<': out += '&lt;'; break;
      case '>': out += '&gt;'; break;
      case '"': out += '&quot;'; break;
      case '\'': out += '&apos;'; break;
      case '\n': out += '&#10;'; break;
      case '\r': out += '&#13;'; break;
      case '\t': out += '&#9;'; break;
      default:
        if (c < 0x20 || (c >= 0xd800 && c <= 0xdfff) || c === 0xfffe || c === 0xffff) out += '\ufffd';
        else out += ch;
    }
  }
  return out;
}

function attrs(pairs: Record<string, string | number>): string {
  return Object.entries(pairs).map(([k, v]) => ` ${k}="${xmlEscape(String(v))}"`).join('');
}

const seconds = (ms: number): string => (ms / 1000).toFixed(3);

function testcase(o: CaseOutcome): string {
  const head = `    <testcase${attrs({ classname: `trustbox.conformance.${o.family}`, name: `${o.id} ${o.name}`, time: seconds(o.ms) })}`;
  if (o.ok) return `${head}/>`;
  const kind = o.kind ?? 'failure';
  const body = xmlEscape(o.detail ?? o.message ?? '');
  return `${head}>\n      <${kind}${attrs({ message: o.message ?? '', type: o.type ?? 'Error' })}>${body}</${kind}>\n    </testcase>`;
}

/** The whole report; `timestamp` is ISO 8601 (the run's start). */
export function junitXml(outcomes: readonly CaseOutcome[], opts: { name: string; timestamp: string; hostname?: string }): string {
  const families = [...new Set(outcomes.map((o) => o.family))];
  const count = (list: readonly CaseOutcome[], kind: 'failure' | 'error') => list.filter((o) => !o.ok && (o.kind ?? 'failure') === kind).length;
  const total = (list: readonly CaseOutcome[]) => list.reduce((s, o) => s + o.ms, 0);
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attrs({ name: opts.name, tests: outcomes.length, failures: count(outcomes, 'failure'), errors: count(outcomes, 'error'), time: seconds(total(outcomes)) })}>`,
  ];
  for (const family of families) {
    const list = outcomes.filter((o) => o.family === family);
    lines.push(`  <testsuite${attrs({
      name: `${opts.name} ${family}`, tests: list.length, failures: count(list, 'failure'), errors: count(list, 'error'), skipped: 0,
      time: seconds(total(list)), timestamp: opts.timestamp, ...(opts.hostname ? { hostname: opts.hostname } : {}),
    })}>`);
    for (const o of list) lines.push(testcase(o));
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>', '');
  return lines.join('\n');
}
