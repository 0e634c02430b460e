from downline.cli import main

main()
