import "./styles/tokens.css";
import "./styles/base.css";

import { mount } from "svelte";

import App from "./App.svelte";
import { startupAnswered } from "./lib/boot";
import { chooseFonts } from "./lib/fonts";
import { applyCachedTheme } from "./lib/theme";

// The first screen's data is asked for before anything else. It answers in
// tens of milliseconds; a second is already a stall.
const answered = startupAnswered(1000);
// Before the first paint, so a dark-theme person never sees a white flash.
applyCachedTheme();
chooseFonts();

const target = document.getElementById("app");
if (!target) throw new Error("index.html lost its #app element");

// Mounted once it has answered: rendering the shell while the answer waits
// would only hold the thread the answer is read on. After a stall, mounted
// anyway, on the shell's placeholder.
void answered.then(() => mount(App, { target }));
