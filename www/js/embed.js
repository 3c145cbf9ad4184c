// podgroups embed script of the site: the widget of the npm package `podgroups-embed`
// (embed/src/widget.js), with "Open in playground" links to the playground served next to it.
//
//   <script type="module" src="https://…/embed.js"></script>
//   <podgroups-example runtime="containerd-2" kubernetes="1.33" user="">
//     <pre data-input="manifest">kind: Pod …</pre>
//     <pre data-input="group">group-defined-in-image:x:50000:user-defined-in-image</pre>
//     <pre data-input="passwd">user-defined-in-image:x:1000:1000::/home/u:/bin/sh</pre>
//   </podgroups-example>
//
// Also exported for pages that want the report itself: `import { explain } from ".../embed.js"`.
import { define } from "../../embed/src/widget.js";

export { explain, ready } from "../../embed/src/widget.js";

define({ playground: import.meta.url.replace(/[^/]*$/, "") });
