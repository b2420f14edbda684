module supportbot

go 1.26
