import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
// The base styles first: every feature's own stylesheet comes after them and may refine them.
import "./styles/base.css";
import { App } from "./app/App";
import { registerServiceWorker } from "./app/pwa";

const root = document.getElementById("root");
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}

registerServiceWorker();
