// The tests run the local runtime on Node 20, so they need its Promise.withResolvers polyfill too.
import '../../lib/local/polyfills';
