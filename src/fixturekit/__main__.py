from fixturekit.cli import main

main()
