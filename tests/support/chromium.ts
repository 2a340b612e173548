// The tests start Chromium the way `npm run bench:browser` does
// (scripts/chromium.mjs): Debian's /usr/bin/chromium when present, else the
// @sparticuz/chromium devDependency; SIMDCNN_CHROMIUM=system|sparticuz
// forces one, and a browser that cannot start is an error, never a skip.
export { chromiumSource, launchChromium, packagedChromium, type ChromiumSource, type PackagedChromium }
  from "../../scripts/chromium.mjs";
