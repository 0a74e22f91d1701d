require "wharfnative/wharfnative"
