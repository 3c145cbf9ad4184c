// podgroups-embed: the <podgroups-example> element and explain(), for documentation sites.
// Importing this module defines the element; the wasm is fetched when the first widget (or explain) needs it.
import { define } from "./widget.js";

export { explain, ready, define } from "./widget.js";

define();
