// Format 2 tools in the room: carte sujet, reformulations, engagement ideas, canevas.
// Forms use data-op-form (actions.js); co-written fields bind through fields.js.

/** @param {import("./connection.js").Connection} connection */
export function wireFormat2(connection, me, newId) {}
