// Builds the portal's front-end assets into static/dist (git-ignored).
// GOV.UK Frontend is compiled with a system font stack: the portal is a council
// service, not on GOV.UK, so it must not use GDS Transport.
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const dist = join(root, "static", "dist");
const govuk = join(root, "node_modules", "govuk-frontend", "dist", "govuk");

mkdirSync(dist, { recursive: true });

const css = sass.compile(join(root, "static", "src", "application.scss"), {
  loadPaths: [join(root, "node_modules")],
  style: "compressed",
  quietDeps: true,
});
writeFileSync(join(dist, "application.css"), css.css);

copyFileSync(join(govuk, "govuk-frontend.min.js"), join(dist, "govuk-frontend.min.js"));
console.log(`Built assets into ${dist}`);
