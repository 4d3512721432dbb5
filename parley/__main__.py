from parley.entry import main

main()
