// The playground's Vite project: `npm run web` (dev server), `npm run build:web` (static files in web/dist).
// Everything is bundled (uPlot, the library, its wasm kernels as base64, names.txt): no CDN, no
// fetch at run time, relative URLs (base './'), so any static host, a subfolder or a zip works.
import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));

// Cross-origin isolation: with these two headers the page may share a WebAssembly.Memory with
// its workers, so fast mode splits the training step over every core. Static hosts need the same
// headers (docs/web.md); without them the page works, fast mode on one thread.
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  root: here('.'),
  base: './',
  worker: { format: 'es' },
  // class names survive minification: the network diagram names each layer by its class
  esbuild: { keepNames: true },
  build: {
    outDir: here('dist'),
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 1500,
  },
  server: {
    // The page imports ../src and ../data.
    fs: { allow: [here('..')] },
    headers: isolation,
  },
  preview: { host: '127.0.0.1', headers: isolation },
});
