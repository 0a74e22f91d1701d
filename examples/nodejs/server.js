// A tiny HTTP server: Wharf gives the port in $PORT.
const http = require("http");
const greeting = require("greeting");

const port = Number(process.env.PORT || 8080);
const server = http.createServer((req, res) => {
  res.writeHead(200, { "content-type": "text/plain; charset=utf-8" });
  res.end(greeting.hello("Node.js") + "\n");
});
server.listen(port, () => console.log(`listening on ${port}`));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
