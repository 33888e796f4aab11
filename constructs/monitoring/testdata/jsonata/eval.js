// Evaluates Step Functions JSONata expressions with the reference implementation (the npm
// package jsonata, pinned in package.json), for the Go tests of constructs/monitoring.
//
// stdin: a JSON array of cases {"expr": "{% ... %}", "states": {...}, "vars": {...}}.
// stdout: a JSON array, one entry per case: {"value": v}, {"undefined": true} or
// {"error": "..."}.
//
// Bindings follow Step Functions: the reserved variable $states ($states.input,
// $states.result, $states.errorOutput, $states.context) and the workflow variables by name.
// The expression's context ($) is left undefined: Step Functions expressions read their
// data through $states, so a stray top-level "$.x" shows up as undefined here.
'use strict';
const jsonata = require('jsonata');

async function evaluate(c) {
  const m = /^\{%([\s\S]*)%\}$/.exec(c.expr);
  if (!m) {
    return { error: 'not a Step Functions JSONata expression ({% ... %}): ' + c.expr };
  }
  try {
    const bindings = Object.assign({}, c.vars || {}, { states: c.states || {} });
    const value = await jsonata(m[1]).evaluate(undefined, bindings);
    return value === undefined ? { undefined: true } : { value };
  } catch (err) {
    return { error: String((err && err.message) || err) + (err && err.code ? ' (' + err.code + ')' : '') };
  }
}

let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => { input += chunk; });
process.stdin.on('end', async () => {
  const cases = JSON.parse(input);
  const out = [];
  for (const c of cases) {
    out.push(await evaluate(c));
  }
  process.stdout.write(JSON.stringify(out));
});
