require "webrick"
require "wharfnative"
server = WEBrick::HTTPServer.new(Port: ENV.fetch("PORT").to_i, BindAddress: "0.0.0.0")
server.mount_proc("/") { |_req, res| res.body = Wharfnative.hello + " on Ruby #{RUBY_VERSION}\n" }
trap("TERM") { server.shutdown }
server.start
