// The app's own modules (src/lib), which page/entry.ts imports through the bundler alias "app-lib"
// (page-bundle.ts). The root tsconfig has no `$lib` path, so they are declared loosely here and
// entry.ts spells out the shapes it uses; svelte-check types them with the app.
declare module "app-lib/*";
