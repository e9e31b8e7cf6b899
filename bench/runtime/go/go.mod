module luminar/bench/runtime/go

go 1.19
