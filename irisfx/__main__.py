from irisfx.cli import main

main()
