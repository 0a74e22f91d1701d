module example.com/hello-go

go 1.19

require example.com/greeting v0.1.0
