"""Images uploaded from the editor: checked and stripped (``validation``), kept behind one
small storage interface (``storage``), listed and served (``views``), recorded in the
``media`` table (``blogapp.models.media``)."""
