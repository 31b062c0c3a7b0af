// @vitest-environment jsdom
import { afterEach, describe, expect, it } from "vitest";
import { meter } from "./meter";

describe("the IPC meter", () => {
  afterEach(() => {
    delete window.__stratoIpcMeter;
  });

  it("counts nothing until a benchmark turns it on", () => {
    meter("event", "player-status", { position_ms: 1 });
    expect(window.__stratoIpcMeter).toBeUndefined();
  });

  it("counts messages and UTF-8 bytes of JSON per event and per answer", () => {
    window.__stratoIpcMeter = {};
    meter("event", "player-status", { a: 1 });
    meter("event", "player-status", { a: "é" });
    meter("answer", "queue_page", undefined);
    expect(window.__stratoIpcMeter).toEqual({
      "event:player-status": { messages: 2, bytes: '{"a":1}'.length + '{"a":"é"}'.length + 1 },
      "answer:queue_page": { messages: 1, bytes: 0 },
    });
  });
});
