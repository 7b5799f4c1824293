// pizzashop's page around textual-serve's terminal (textual.js, loaded just before this file).
// It points the terminal at the game's socket beside the page, opens the terminal once the
// font (served by this host) is ready, gives the keyboard to the game as soon as it has drawn,
// and when the game's connection closes says why: the server puts the reason in the close frame.
(() => {
  "use strict";
  const terminal = document.getElementById("terminal");
  const starting = document.getElementById("starting");
  const ended = document.getElementById("ended");
  const endedMessage = document.getElementById("ended-message");
  const again = document.getElementById("again");
  const TRY_AGAIN_LATER = 1013;

  const socketUrl = new URL(terminal.dataset.socket, window.location.href);
  socketUrl.protocol = socketUrl.protocol === "https:" ? "wss:" : "ws:";
  terminal.dataset.sessionWebsocketUrl = socketUrl.href;

  function focusGame() {
    const keys = terminal.querySelector("textarea");
    if (keys) {
      keys.blur();  // so the focus below reaches the game even if the page gave it already
      keys.focus();
    }
  }

  function showEnded(event) {
    starting.hidden = true;
    endedMessage.textContent = event.reason || "The game has ended.";
    again.textContent = event.code === TRY_AGAIN_LATER ? "Try again" : "Play again";
    ended.hidden = false;
    again.focus();
  }

  const PageSocket = window.WebSocket;
  window.WebSocket = class extends PageSocket {
    constructor(url, protocols) {
      super(url, protocols);
      let drawn = false;
      this.addEventListener("message", (event) => {
        if (!drawn && typeof event.data !== "string" && event.data.byteLength > 10) {
          drawn = true;
          starting.hidden = true;
          focusGame();
        }
      });
      this.addEventListener("close", showEnded);
    }
  };

  const openTerminal = window.onload;
  window.onload = null;
  window.addEventListener("load", () => {
    const size = `${terminal.dataset.fontSize}px "Roboto Mono"`;
    const fontReady = document.fonts ? document.fonts.load(size) : Promise.resolve();
    fontReady.catch(() => undefined).then(() => {
      if (openTerminal) openTerminal.call(window, new Event("load"));
    });
  });
})();
