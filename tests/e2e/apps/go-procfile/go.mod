module example.com/myapp

go 1.24
