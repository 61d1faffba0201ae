// The course's JupyterLab front end: JupyterLab 3.6's own plugins, chosen in package.json
// ("jupyterlab.extensions"), started as JupyterLab starts them. webpack.config.js bundles this file;
// serve.py serves the bundle with Debian's jupyter-server and jupyterlab-server.
import { JupyterLab } from '@jupyterlab/application';
import { PageConfig } from '@jupyterlab/coreutils';

// Assets (CSS, fonts, chunks) load relative to where the server says the bundle lives; this must be
// set before any of them is imported.
// eslint-disable-next-line no-undef
__webpack_public_path__ = PageConfig.getOption('fullStaticUrl') + '/';

// style.js is written by @jupyterlab/builder (Build.ensureAssets): the CSS of every extension.
const styles = import('./build/style.js');

// Keep in step with package.json's "jupyterlab" lists (the builder copies those packages' settings
// schemas and themes; these imports bring in their code). No terminal: the course runs without one.
const plugins = [
  import('@jupyterlab/application-extension'),
  import('@jupyterlab/apputils-extension'),
  import('@jupyterlab/codemirror-extension'),
  import('@jupyterlab/completer-extension'),
  import('@jupyterlab/console-extension'),
  import('@jupyterlab/csvviewer-extension'),
  import('@jupyterlab/docmanager-extension'),
  import('@jupyterlab/filebrowser-extension'),
  import('@jupyterlab/fileeditor-extension'),
  import('@jupyterlab/help-extension'),
  import('@jupyterlab/htmlviewer-extension'),
  import('@jupyterlab/imageviewer-extension'),
  import('@jupyterlab/launcher-extension'),
  import('@jupyterlab/mainmenu-extension'),
  import('@jupyterlab/markdownviewer-extension'),
  import('@jupyterlab/mathjax2-extension'),
  import('@jupyterlab/notebook-extension'),
  import('@jupyterlab/rendermime-extension'),
  import('@jupyterlab/running-extension'),
  import('@jupyterlab/settingeditor-extension'),
  import('@jupyterlab/shortcuts-extension'),
  import('@jupyterlab/statusbar-extension'),
  import('@jupyterlab/theme-dark-extension'),
  import('@jupyterlab/theme-light-extension'),
  import('@jupyterlab/toc-extension'),
  import('@jupyterlab/tooltip-extension'),
  import('@jupyterlab/translation-extension'),
  import('@jupyterlab/ui-components-extension')
];
const mimePlugins = [import('@jupyterlab/json-extension')];

// A module's plugins less those the page config disables (page_config.json's "disabledExtensions",
// by plugin id or package name), as JupyterLab's own start-up does.
function enabled(module) {
  const exported = module.default !== undefined ? module.default : module;
  return (Array.isArray(exported) ? exported : [exported]).filter((plugin) => !PageConfig.Extension.isDisabled(plugin.id));
}

window.addEventListener('load', async () => {
  await styles;
  const lab = new JupyterLab({ mimeExtensions: await Promise.all(mimePlugins) });
  lab.registerPlugins((await Promise.all(plugins)).flatMap(enabled));
  await lab.start();
  await lab.restored;
  // The browser test waits for this mark; a person never sees it.
  document.body.dataset.gptcourseLab = 'ready';
});
