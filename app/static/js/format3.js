// Format 3 tools in the room: sous-actions and the feuille de route.

/** @param {import("./connection.js").Connection} connection */
export function wireFormat3(connection, me, newId) {}
