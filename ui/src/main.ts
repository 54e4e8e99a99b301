import "./styles/tokens.css";
import "./styles/base.css";

import { mount } from "svelte";

import App from "./App.svelte";
import { askStartup } from "./lib/boot";
import { applyCachedTheme } from "./lib/theme";

// The first screen's data is asked for before anything else.
askStartup();
// Before the first paint, so a dark-theme person never sees a white flash.
applyCachedTheme();

const target = document.getElementById("app");
if (!target) throw new Error("index.html lost its #app element");

export default mount(App, { target });
