from kro.cli.main import main

main()
