require "mkmf"
create_makefile("wharfnative/wharfnative")
