// Evaluates Step Functions JSONata with the reference implementation (the npm package
// jsonata, pinned in package.json), for the Go tests through package internal/jsonatatest.
//
// stdin: a JSON array of cases, each either
//   {"expr": "{% ... %}", "states": {...}, "vars": {...}}      one expression, or
//   {"run": <ASL definition>, "input": ..., "mocks": [...]}   a whole execution.
// stdout: a JSON array, one entry per case: {"value": v}, {"undefined": true} or
// {"error": "..."} for an expression; {"output": v, "calls": [...], "path": [...]} or
// {"error": "...", "calls": [...]} for an execution.
//
// Bindings follow Step Functions: the reserved variable $states ($states.input,
// $states.result, $states.errorOutput, $states.context) and the workflow variables by name.
// The expression's context ($) is left undefined: Step Functions expressions read their
// data through $states, so a stray top-level "$.x" shows up as undefined here.
//
// The execution mode interprets the subset of the Amazon States Language in JSONata that
// the measuring constructs use: Pass, Task, Choice, Map (inline), Succeed and Fail, with
// Arguments, Output, Assign, Condition, Items, Catch. Assign and Output of a state are
// evaluated with the same bindings (Assign results are visible from the next state on), and
// variables assigned inside a Map iteration stay in that iteration, as Step Functions
// documents ("Passing data between states with variables"). Retry is not simulated: a
// mocked error is final. Task results come from mocks: {"resource": ..., "arguments": ...,
// "result": ...} or {..., "error": "Ecr.ImageNotFoundException"}, matched on the resource
// and the deep-equal arguments; an unmatched call fails the execution.
'use strict';
const jsonata = require('jsonata');
const util = require('util');

const EXPR = /^\{%([\s\S]*)%\}$/;

async function evalExpr(expr, states, vars) {
  const m = EXPR.exec(expr);
  if (!m) {
    throw new Error('not a Step Functions JSONata expression ({% ... %}): ' + expr);
  }
  const bindings = Object.assign({}, vars || {}, { states: states || {} });
  return jsonata(m[1]).evaluate(undefined, bindings);
}

// evalValue evaluates every {% %} string of a JSON value (Arguments, Output, Assign).
async function evalValue(v, states, vars) {
  if (typeof v === 'string') {
    return EXPR.test(v) ? evalExpr(v, states, vars) : v;
  }
  if (Array.isArray(v)) {
    const out = [];
    for (const x of v) out.push(await evalValue(x, states, vars));
    return out;
  }
  if (v && typeof v === 'object') {
    const out = {};
    for (const [k, x] of Object.entries(v)) {
      const r = await evalValue(x, states, vars);
      if (r === undefined) throw new Error('field ' + k + ' evaluated to undefined');
      out[k] = r;
    }
    return out;
  }
  return v;
}

// plain turns JSONata results (sequences) into plain JSON values.
function plain(v) {
  return v === undefined ? undefined : JSON.parse(JSON.stringify(v));
}

class TaskError extends Error {
  constructor(name, cause) { super(name); this.errorName = name; this.cause2 = cause; }
}

async function runMachine(machine, input, vars, ctx) {
  let name = machine.StartAt;
  let data = input;
  for (let steps = 0; steps < 10000; steps++) {
    const st = machine.States[name];
    if (!st) throw new Error('no state ' + name);
    ctx.path.push(name);
    const states = { input: data, context: {} };
    let result;
    let next = st.Next;
    switch (st.Type) {
      case 'Pass':
        result = data;
        break;
      case 'Succeed':
        return data;
      case 'Fail':
        throw new Error('Fail state ' + name);
      case 'Choice': {
        next = st.Default;
        for (const c of st.Choices || []) {
          const ok = await evalValue(c.Condition, states, vars);
          if (typeof ok !== 'boolean') throw new Error('Condition of ' + name + ' is not a boolean: ' + ok);
          if (ok) { next = c.Next; break; }
        }
        if (!next) throw new Error('States.NoChoiceMatched in ' + name);
        break;
      }
      case 'Task': {
        const args = plain(await evalValue(st.Arguments, states, vars));
        ctx.calls.push({ resource: st.Resource, arguments: args });
        const mock = ctx.mocks.find((m) => m.resource === st.Resource && util.isDeepStrictEqual(m.arguments, args));
        if (!mock) throw new Error('no mock for ' + st.Resource + ' ' + JSON.stringify(args));
        if (mock.error) {
          const c = (st.Catch || []).find((k) => k.ErrorEquals.includes(mock.error) || k.ErrorEquals.includes('States.ALL'));
          if (!c) throw new TaskError(mock.error);
          const errStates = { input: data, errorOutput: { Error: mock.error, Cause: 'mocked' }, context: {} };
          const out = c.Output === undefined ? errStates.errorOutput : plain(await evalValue(c.Output, errStates, vars));
          if (c.Assign) Object.assign(vars, plain(await evalValue(c.Assign, errStates, vars)));
          data = out;
          name = c.Next;
          continue;
        }
        result = mock.result;
        break;
      }
      case 'Map': {
        const items = plain(await evalValue(st.Items, states, vars));
        if (!Array.isArray(items)) throw new Error('Items of ' + name + ' is not an array: ' + JSON.stringify(items));
        result = [];
        for (const item of items) {
          result.push(await runMachine(st.ItemProcessor, item, Object.assign({}, vars), ctx));
        }
        break;
      }
      default:
        throw new Error('unsupported state type ' + st.Type);
    }
    states.result = result;
    const output = st.Output === undefined ? result : plain(await evalValue(st.Output, states, vars));
    if (st.Assign) {
      const assigned = plain(await evalValue(st.Assign, states, vars));
      Object.assign(vars, assigned);
    }
    if (st.End) return output;
    data = output;
    name = next;
  }
  throw new Error('too many steps');
}

async function handle(c) {
  if (c.run) {
    const ctx = { calls: [], path: [], mocks: c.mocks || [] };
    try {
      const output = await runMachine(c.run, c.input, {}, ctx);
      return { output: output === undefined ? null : output, calls: ctx.calls, path: ctx.path };
    } catch (err) {
      return { error: String((err && err.message) || err), calls: ctx.calls, path: ctx.path };
    }
  }
  try {
    const value = await evalExpr(c.expr, c.states, c.vars);
    return value === undefined ? { undefined: true } : { value: plain(value) };
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
  for (const c of cases) out.push(await handle(c));
  process.stdout.write(JSON.stringify(out));
});
