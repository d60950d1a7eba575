"""parceldesk: self-hosted AI customer service for parcel carriers."""

__version__ = "0.1.0"
