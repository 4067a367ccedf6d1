"""Text tools shared by the checks: word tokens and scripts, transliteration, names, numbers,
copied text and place names. Nothing here knows about documents, links or findings."""
