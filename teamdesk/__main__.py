from teamdesk.cli import main

main()
