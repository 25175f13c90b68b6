module github.com/fortify-demo/inventory-service

go 1.22
