from newsclean.cli import main

raise SystemExit(main())
