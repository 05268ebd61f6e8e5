"""What members may know and delete: `privacy` says what Parrot keeps, `forget me` deletes a member's records
from every store in one command."""
