// Bundles index.js into build/ (bundle.js and its chunks) and, with @jupyterlab/builder, copies each
// extension's settings schemas, themes and CSS entry points beside it. Run by build.sh, never by hand
// in the repository: build.sh runs it in a staging copy inside the cache folder.
const crypto = require('crypto');
const path = require('path');
const webpack = require('webpack');
const { Build } = require('@jupyterlab/builder');
const pkg = require('./package.json');

// Loaders that still ask for md4, which OpenSSL 3 (Node.js 17+) no longer offers.
const createHash = crypto.createHash;
crypto.createHash = (algorithm) => createHash(algorithm === 'md4' ? 'sha256' : algorithm);

const out = path.resolve(__dirname, 'build');

const assets = Build.ensureAssets({
  packageNames: pkg.jupyterlab.extensions.concat(pkg.jupyterlab.mimeExtensions),
  output: out,
  hashFunction: 'sha256'
});

// URLs of fonts and small images become data: URIs up to this size, files beyond it.
const inline = (mimetype) => ({ loader: 'url-loader', options: { limit: 10000, mimetype } });

module.exports = [
  {
    entry: './index.js',
    output: { path: out, filename: 'bundle.js', chunkFilename: '[name].[contenthash].js', hashFunction: 'sha256' },
    bail: true,
    // development mode without source maps: minifying on a 2-core machine costs minutes and saves
    // nothing that matters for a server on 127.0.0.1.
    mode: 'development',
    devtool: false,
    performance: { hints: false },
    module: {
      rules: [
        { test: /\.css$/, use: ['style-loader', 'css-loader'] },
        { test: /\.html$/, use: 'file-loader' },
        { test: /\.md$/, use: 'raw-loader' },
        { test: /\.(jpg|png|gif)$/, use: 'file-loader' },
        { test: /\.js\.map$/, use: 'file-loader' },
        { test: /\.woff2?(\?v=\d+\.\d+\.\d+)?$/, use: inline('application/font-woff') },
        { test: /\.ttf(\?v=\d+\.\d+\.\d+)?$/, use: inline('application/octet-stream') },
        { test: /\.eot(\?v=\d+\.\d+\.\d+)?$/, use: 'file-loader' },
        // SVG: data URIs inside CSS, raw strings inside code (JupyterLab's icons).
        { test: /\.svg(\?v=\d+\.\d+\.\d+)?$/, issuer: /\.css$/, use: { loader: 'svg-url-loader', options: { encoding: 'none', limit: 10000 } } },
        { test: /\.svg(\?v=\d+\.\d+\.\d+)?$/, issuer: /\.js$/, use: 'raw-loader' }
      ]
    },
    plugins: [
      new webpack.DefinePlugin({
        // Blueprint reads process.env; the path polyfill calls process.cwd().
        'process.env': '{}',
        process: { cwd: () => '/' }
      })
    ]
  }
].concat(assets);
