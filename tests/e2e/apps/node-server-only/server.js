const http = require("http");
http.createServer((req, res) => {
  res.writeHead(200, { "Content-Type": "text/plain" });
  res.end(`Hello from a lone server.js on Node ${process.version}\n`);
}).listen(process.env.PORT || 8080);
