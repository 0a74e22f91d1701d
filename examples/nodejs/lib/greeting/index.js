exports.hello = (who) => `Hello from ${who} on Wharf`;
