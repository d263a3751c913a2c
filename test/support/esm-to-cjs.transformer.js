/**
 * Jest transformer for ES-module-only packages under node_modules (NestJS 12 among them):
 * Babel rewrites them to CommonJS and replaces import.meta. A module-level
 * `const require = createRequire(import.meta.url)` is dropped first, because after the
 * rewrite the module already has a CommonJS `require`, and Babel's renaming of the local
 * one leaves it used before its declaration.
 */
const babelJest = require('babel-jest').default;

const LOCAL_REQUIRE = /^const require = createRequire\(import\.meta\.url\);$/m;

const transformer = babelJest.createTransformer({
  babelrc: false,
  configFile: false,
  plugins: ['babel-plugin-transform-import-meta', '@babel/plugin-transform-dynamic-import', '@babel/plugin-transform-modules-commonjs'],
});

module.exports = {
  ...transformer,
  process(source, filename, options) {
    return transformer.process(source.replace(LOCAL_REQUIRE, ''), filename, options);
  },
  getCacheKey(source, filename, options) {
    return transformer.getCacheKey(source.replace(LOCAL_REQUIRE, ''), filename, options);
  },
};
