"""Modal dialogs: each gathers a choice and returns the sim action(s) it means, or None."""

from pizzashop.ui.screens.dialogs.branches import BranchesDialog
from pizzashop.ui.screens.dialogs.chef import ChefDialog
from pizzashop.ui.screens.dialogs.hire import HireDialog
from pizzashop.ui.screens.dialogs.log_filter import LogFilterDialog
from pizzashop.ui.screens.dialogs.menu import MenuDialog
from pizzashop.ui.screens.dialogs.prep import PrepDialog
from pizzashop.ui.screens.dialogs.routing import RoutingDialog

__all__ = [
    "BranchesDialog",
    "ChefDialog",
    "HireDialog",
    "LogFilterDialog",
    "MenuDialog",
    "PrepDialog",
    "RoutingDialog",
]
