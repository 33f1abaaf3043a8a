"""deskapp: the customer-service counter console of a property-management office (物业客服中心)."""

__version__ = "0.1.0"
