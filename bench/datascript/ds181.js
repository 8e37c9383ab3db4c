// Loads the npm package datascript@1.8.1 (node_modules/datascript/datascript.js)
// and exposes, next to its normal JS API, a few "raw" entry points that work on
// DataScript's own ClojureScript values instead of converting them to/from JS:
//
//   read_string(str)        cljs.reader/read-string inside DataScript's runtime
//   q_raw(query, ...inputs) datascript.core/q without clj->js on the result
//   pull_raw(db, pat, eid)  datascript.core/pull without the JS conversion
//   pull_many_raw(db, pat, eids)
//   db_with(db, txData)     (already in the JS API; takes cljs data as is)
//   empty_db(schema)        (already in the JS API; takes a cljs map as is)
//   entity(db, eid)         (already in the JS API)
//   db_with_raw(db, txData) datascript.core/db-with, without the JS API's
//                           js->clj walk and postwalk of txData (bench only)
//   init_db_raw(datoms, schema)  datascript.db/init-db as the JS API calls it,
//                           without re-creating every datom first (bench only)
//   datoms_raw(db, index, ...components)  datascript.core/datoms with the
//                           index and components as DataScript values (no
//                           keywordize, no js->clj), as a JS array (bench only)
//
// This is a copy of the project's oracle loader (shared/oracle/ds181.js) for
// the benchmark harness, extended with db_with_raw and init_db_raw (same strict
// single-match injection); everything else is unchanged.
//
// Why: the public JS API of the npm bundle turns keywords into strings (and
// drops their namespaces on output), so it cannot run Datomic-style EDN cases.
// The bundle is advanced-compiled, so the internals are reached by a small
// textual injection, done in memory at load time.  node_modules is not
// modified.  The injection is checked strictly: if the bundle is not exactly
// the expected 1.8.1 build, loading fails loudly instead of guessing.
'use strict';
const fs = require('fs');
const path = require('path');
const vm = require('vm');

const file = path.join(__dirname, 'node_modules', 'datascript', 'datascript.js');
let src = fs.readFileSync(file, 'utf8');
const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, 'node_modules', 'datascript', 'package.json'), 'utf8'));
if (pkg.version !== '1.8.1' || !src.includes('Datascript v1.8.1')) {
  throw new Error('ds181.js: expected datascript 1.8.1, found ' + pkg.version);
}

function once(re, what) {
  const all = [...src.matchAll(new RegExp(re.source, 'g'))];
  if (all.length !== 1) throw new Error('ds181.js: cannot locate ' + what + ' (' + all.length + ' matches)');
  return all[0];
}

// var oB=function oB(a){...return oB.l(arguments[0],1<c.length?new $a(c.slice(1),0,null):null)};
// ka("datascript.js.q",oB);oB.l=function(a,b){a=Ky(a);b=ab(nA,a,b);return zj(b)};
const qm = once(/ka\("datascript\.js\.q",([\w$]+)\);\1\.l=function\(a,b\)\{a=([\w$]+)\(a\);b=([\w$]+)\(([\w$]+),a,b\);return ([\w$]+)\(b\)\};/, 'datascript.js.q');
const [qText, qFn, readString, apply, coreQ] = qm;
const seqm = once(new RegExp('return ' + qFn.replace(/\$/g, '\\$') + '\\.l\\(arguments\\[0\\],1<c\\.length\\?new ([\\w$]+)\\(c\\.slice\\(1\\),0,null\\):null\\)'), 'IndexedSeq');
const indexedSeq = seqm[1];
// ka("datascript.js.pull",function(a,b,c){b=Ky(b);c=Dj.h(c);a=ex?ex(a,b,c):dx.call(null,a,b,c);return lB(a)});
const pm = once(/ka\("datascript\.js\.pull",function\(a,b,c\)\{b=[\w$]+\(b\);c=[\w$]+\.h\(c\);a=([\w$]+)\?\1\(a,b,c\):([\w$]+)\.call\(null,a,b,c\);return [\w$]+\(a\)\}\);/, 'datascript.js.pull');
const pmm = once(/ka\("datascript\.js\.pull_many",function\(a,b,c\)\{b=[\w$]+\(b\);c=[\w$]+\.h\(c\);a=([\w$]+)\?\1\(a,b,c\):([\w$]+)\.call\(null,a,b,c\);return [\w$]+\(a\)\}\);/, 'datascript.js.pull_many');

// ka("datascript.js.db_with",function(a,b){b=jB(b);return tA.g?tA.g(a,b):tA.call(null,a,b)});
const dwm = once(/ka\("datascript\.js\.db_with",function\(a,b\)\{b=[\w$]+\(b\);return ([\w$]+)\.g\?\1\.g\(a,b\):\1\.call\(null,a,b\)\}\);/, 'datascript.js.db_with');
// nB.l=function(a,b){b=M(b,0);a=ig.g(kB,a);b=gB(b);return qt(a,b)};  (datascript.js.init_db)
const idm = once(/ka\("datascript\.js\.init_db",([\w$]+)\);\1\.l=function\(a,b\)\{b=[\w$]+\(b,0\);a=[\w$]+\.g\([\w$]+,a\);b=[\w$]+\(b\);return ([\w$]+)\(a,b\)\};/, 'datascript.js.init_db');

// tB.l=function(a,b,c){return db(cb(KA,a,fB(b),ig.g(Dj,c)))};  (datascript.js.datoms)
const dsn = once(/ka\("datascript\.js\.datoms",([\w$]+)\);/, 'datascript.js.datoms')[1].replace(/\$/g, '\\$');
const dsm = once(new RegExp(dsn + '\\.l=function\\(a,b,c\\)\\{return ([\\w$]+)\\(([\\w$]+)\\(([\\w$]+),a,[\\w$]+\\(b\\),[\\w$]+\\.g\\([\\w$]+,c\\)\\)\\)\\};'), 'datascript.js.datoms body');

const inject =
  'ka("datascript.js.read_string",function(s){return ' + readString + '(s)});' +
  'ka("datascript.js.q_raw",function(){var c=Array.prototype.slice.call(arguments);' +
  'return ' + apply + '(' + coreQ + ',c[0],1<c.length?new ' + indexedSeq + '(c.slice(1),0,null):null)});' +
  'ka("datascript.js.pull_raw",function(a,b,c){return ' + pm[1] + '?' + pm[1] + '(a,b,c):' + pm[2] + '.call(null,a,b,c)});' +
  'ka("datascript.js.pull_many_raw",function(a,b,c){return ' + pmm[1] + '?' + pmm[1] + '(a,b,c):' + pmm[2] + '.call(null,a,b,c)});' +
  'ka("datascript.js.db_with_raw",function(a,b){return ' + dwm[1] + '.g?' + dwm[1] + '.g(a,b):' + dwm[1] + '.call(null,a,b)});' +
  'ka("datascript.js.init_db_raw",function(a,b){return ' + idm[2] + '(a,b)});' +
  'ka("datascript.js.datoms_raw",function(a,b){var c=Array.prototype.slice.call(arguments,2);' +
  'return ' + dsm[1] + '(' + dsm[2] + '(' + dsm[3] + ',a,b,0<c.length?new ' + indexedSeq + '(c,0,null):null))});';
src = src.replace(qText, qText + inject);

const mod = { exports: {} };
const wrapper = vm.runInThisContext('(function (exports, module, require, define) {' + src + '\n})', { filename: file });
wrapper.call(undefined, mod.exports, mod, require, undefined);
const ds = mod.exports;
for (const k of ['read_string', 'q_raw', 'pull_raw', 'pull_many_raw', 'db_with', 'empty_db', 'entity',
                 'db_with_raw', 'init_db_raw', 'datoms_raw', 'datoms', 'init_db']) {
  if (typeof ds[k] !== 'function') throw new Error('ds181.js: missing export ' + k);
}
ds.VERSION = pkg.version;
module.exports = ds;
