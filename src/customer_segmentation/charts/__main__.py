"""`python -m customer_segmentation.charts`: render every chart into assets/."""

from customer_segmentation.charts.cli import main

raise SystemExit(main())
