// Bundles the playground (www/) into dist/. The wasm module comes from pkg/ (wasm-bindgen --target web):
// its glue loads `new URL('smime_wasm_bg.wasm', import.meta.url)`, which webpack 5 emits as an asset on
// its own, so no wasm loader or experiment is needed. No inline script or style anywhere: the server
// sends a strict Content-Security-Policy (scripts/serve.mjs).
const path = require('node:path');
const HtmlWebpackPlugin = require('html-webpack-plugin');
const CopyWebpackPlugin = require('copy-webpack-plugin');

module.exports = (_env, argv) => ({
  mode: argv.mode || 'production',
  context: __dirname,
  entry: { app: './www/app.js' },
  output: {
    path: path.resolve(__dirname, 'dist'),
    filename: '[name].[contenthash:8].js',
    assetModuleFilename: '[name].[contenthash:8][ext]',
    clean: true,
  },
  devtool: false,
  performance: {
    // The wasm module is ~0.5 MB by design; hint only about the JavaScript.
    assetFilter: (file) => file.endsWith('.js'),
  },
  plugins: [
    new HtmlWebpackPlugin({
      template: './www/index.html',
      scriptLoading: 'module',
      inject: 'head',
      // Keep the page as written: the minifier drops default attributes such as type="text" (which the
      // stylesheet selects on) and whitespace between inline elements.
      minify: false,
    }),
    new CopyWebpackPlugin({
      patterns: [
        // Copied as written (`minimized: true` keeps webpack's CSS minimizer off it).
        { from: 'www/style.css', to: 'style.css', info: { minimized: true } },
        { from: 'www/favicon.svg', to: 'favicon.svg' },
        { from: 'www/demo/*.{key,crt}', to: 'demo/[name][ext]' },
      ],
    }),
  ],
});
