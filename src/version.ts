declare const __BATON_VERSION__: string | undefined;

/** Stamped in by the build (scripts/build.mjs); source runs under tests report a dev version. */
export const VERSION: string = typeof __BATON_VERSION__ === 'string' ? __BATON_VERSION__ : '0.0.0-dev';
